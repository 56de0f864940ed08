"""Voice presets shipped with speechcast: one TOML file each (see README: "Adding a voice")."""
