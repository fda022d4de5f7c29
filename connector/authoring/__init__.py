"""Build-time authoring: the Jinja2 sandbox, template files, protected placeholders, locales."""
