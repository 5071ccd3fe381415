import zoneinfo

from django.utils import timezone

from people.models import Person


class UserTimeZoneMiddleware:
    """Show times in the viewer's own time zone (from the employee directory)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = None
        if request.user.is_authenticated:
            zone_name = Person.objects.filter(user=request.user).values_list("time_zone", flat=True).first()
        if zone_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
