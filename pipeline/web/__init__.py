"""`speechcast serve`: the whole pipeline in a browser, for people who never open a terminal.

app.py holds the routes, guard.py what every request passes first, drafts.py the manuscripts on
their way to a render, jobs.py the render queue, library.py the renders on disk, views.py the JSON
the page reads, serve.py the server itself. The page is page.html with app.js and app.css.
"""
