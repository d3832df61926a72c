"""The table of Django's database cache (``CACHES`` in settings.py, the embedded default when no Redis is set).

Declared as a model so that ``migrate`` creates it (the README's commands need no ``createcachetable``): the columns
are those ``createcachetable`` would make for ``django.core.cache.backends.db.DatabaseCache``. Only the cache reads
and writes it; nothing else in riskfund uses the model.
"""

from django.db import models

CACHE_TABLE = "riskfund_cache"


class CacheEntry(models.Model):
    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = CACHE_TABLE
        verbose_name = "cache entry"

    def __str__(self) -> str:
        return self.cache_key
