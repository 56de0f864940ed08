from __future__ import annotations

import pytest

from pipeline.errors import SettingsError, VoiceError
from pipeline.settings import Pauses, RenderSettings, VoiceSettings
from pipeline.speech.presets import load_presets, resolve, with_overrides


@pytest.fixture(autouse=True)
def user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECHCAST_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


def test_builtin_presets_cover_the_required_voices():
    presets = load_presets()
    for name in ["xiaoxiao", "yunyang", "yunjian", "yunxi", "xiaoyi", "hsiaochen", "hiugaai"]:
        assert presets[name].settings.engine == "edge"
        assert presets[presets[name].fallback].settings.engine == "espeak"
    assert presets["hsiaochen"].settings.voice.startswith("zh-TW-")
    assert presets["hiugaai"].settings.voice.startswith("zh-HK-")
    offline = [p for p in presets.values() if p.settings.engine == "espeak"]
    assert {p.settings.voice for p in offline} == {"cmn+f3", "cmn+m3"}
    assert all(p.description for p in presets.values())


def test_user_preset_adds_and_overrides(user_config):
    (user_config / "voices").mkdir(parents=True)
    (user_config / "voices" / "slow.toml").write_text('name = "xiaoxiao"\nengine = "edge"\nvoice = "zh-CN-XiaoxiaoNeural"\nrate = "-20%"\n', encoding="utf-8")
    (user_config / "voices" / "mine.toml").write_text('engine = "espeak"\nvoice = "cmn"\n', encoding="utf-8")
    presets = load_presets()
    assert presets["xiaoxiao"].settings.rate == "-20%"
    assert presets["xiaoxiao"].origin.endswith("slow.toml")
    assert presets["mine"].settings == VoiceSettings("espeak", "cmn")


def test_broken_user_preset_is_named(user_config):
    (user_config / "voices").mkdir(parents=True)
    (user_config / "voices" / "bad.toml").write_text('engine = "edge"\nvoice = "x"\nrate = "fast"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"bad\.toml.*Rate 'fast'"):
        load_presets()


def test_unknown_preset_suggests_close_matches():
    with pytest.raises(VoiceError, match="did you mean xiaoxiao"):
        resolve("xiaoxio")


def test_edge_voice_id_is_accepted_directly():
    preset = resolve("zh-CN-YunxiaNeural")
    assert preset.settings == VoiceSettings("edge", "zh-CN-YunxiaNeural")
    assert preset.fallback == "offline-female"


@pytest.mark.parametrize("rate", ["fast", "+300%", "10%", "-95%", "+10"])
def test_invalid_rate_is_refused(rate):
    with pytest.raises(SettingsError, match="Rate"):
        with_overrides(resolve("xiaoxiao"), rate, None, None)


def test_flags_override_preset():
    p = with_overrides(resolve("yunyang"), "+10%", "-5Hz", None)
    assert (p.settings.rate, p.settings.pitch, p.settings.volume) == ("+10%", "-5Hz", "+0%")


def test_pauses_scale_and_validate():
    assert Pauses().scaled(2.0).sentence == 1300
    assert Pauses().scaled(0.5).after("end") == 750
    with pytest.raises(SettingsError):
        Pauses().scaled(0)
    with pytest.raises(SettingsError, match="--jobs"):
        RenderSettings(jobs=50)


def test_voices_command_lists_presets_and_engine_voices_offline(monkeypatch, user_config):
    from typer.testing import CliRunner

    from pipeline.cli import app

    (user_config / "voices").mkdir(parents=True)
    (user_config / "voices" / "mine.toml").write_text('engine = "espeak"\nvoice = "cmn+m1"\ndescription = "我的"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["voices"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:3] == ["yunyang", "edge", "zh-CN-YunyangNeural"] for line in lines)
    assert any(line.split()[:3] == ["mine", "espeak", "cmn+m1"] and "mine.toml" in line for line in lines)
    assert "Engine edge (online):" in result.output and "Engine espeak (offline):" in result.output
    assert "zh-TW-HsiaoChenNeural" in result.output and "cmn+f3" in result.output
