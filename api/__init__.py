"""The read API: a front end that owns no models. `main` (the django-ninja API: cases, measures with their
state, assessments, records, data packages; read-only, OpenAPI 3.1), `endpoints/` (one module per family),
`params` and `schemas` (what it takes and answers), `auth` (tokens, sessions, rate limit), `access` (what
a request may read: one function), `conditional` (ETag, 304), `pagination` (cursors), `problems` (RFC 9457
errors, read-only), `pages/` (the documentation page, the API tokens page)."""
