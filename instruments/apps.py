from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "instruments"
    verbose_name = "Instruments, events and sources"
