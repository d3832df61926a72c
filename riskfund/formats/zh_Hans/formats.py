# Only what differs from Django's zh_Hans formats; everything else falls through to Django's module.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
