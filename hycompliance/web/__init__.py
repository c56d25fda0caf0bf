"""The reviewers' web app (``hycompliance serve``): see ``hycompliance.web.app``."""
