"""StreamShop: video streaming plus a merchandise marketplace, in one Flask app."""

__version__ = "2.4.1"
