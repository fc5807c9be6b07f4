"""Page objects: one small class per page type, turning a response into items and next links.

Spiders only navigate; everything that reads fields lives here (or in a YAML site profile), so
each page type is tested on a saved response (tests/fixtures/pages/).
"""
