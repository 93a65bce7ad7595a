"""gunicorn's settings when started from the project's folder (`gunicorn cms.wsgi ...`;
options on the command line win).

The admin's zip upload and bulk actions run within one request: up to 10,000 files and
1,000 posts, a minute or so on PostgreSQL. gunicorn's default of 30 s killed the worker
half-way through them and answered 500.
"""

timeout = 120
