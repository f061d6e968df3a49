from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "instruments"
    verbose_name = "Instruments, events and sources"

    def ready(self):
        from instruments import citation_marks, timeline_dates

        citation_marks.connect()
        timeline_dates.connect()
