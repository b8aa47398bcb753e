import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()

# Load WeasyPrint and Pango when a server process starts (docs/performance.md, “Figures behind the
# code”), not during the first PDF someone asks for; a machine without WeasyPrint's libraries then fails
# at start, not on a reader's click.
import weasyprint  # noqa: E402, F401
