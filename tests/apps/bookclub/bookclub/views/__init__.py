"""HTTP views.  Each module registers its routes on ``bookclub.web.app``."""
