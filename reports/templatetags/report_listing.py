"""`{{ rows|listing_body }}`: a listing's table body, joined in Python (reports.listing)."""

from django import template

from reports.listing import body_html

register = template.Library()
register.filter("listing_body", body_html)
