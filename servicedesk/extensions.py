"""Flask extensions, created unbound and initialised in ``create_app``.

Flask-Migrate is set up apart, only where migrations run (``servicedesk.migrating``).
"""

from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from servicedesk.orm import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
# Per-IP by default; views add per-email limits with their own key functions.
limiter = Limiter(key_func=get_remote_address)
