"""``formcheck serve``: athletes upload sets from their phones, a coach reviews them.

The data flow, one module each:

- `settings`: what the command line chose (data folder, database, limits);
- `db`: the tables (coach users, athletes, sets, jobs) and their migrations;
- `store`: files on disk: an upload streamed to a temporary file, checked to be a video,
  renamed into place;
- `jobs`: the persistent queue in the database (claim with a lease, heartbeat, finish once);
- `worker`: processes that take jobs and run the same per-clip job as ``formcheck batch``
  (`formcheck.batch.job.run_clip`), locally or on Ray;
- `security`: passwords (argon2), CSRF tokens, the login rate limit;
- `app`, `routes_*`: the web pages (FastAPI + Jinja2), every route checking who may see what.
"""
