from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "riskfund.bench"
    label = "bench"
    verbose_name = "benchmarks"
