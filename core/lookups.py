"""ORM lookups every app relies on; registered when the project starts (``MentorshipConfig.ready``)."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    """``pk__in=[...]`` with a number no integer column can hold matches nothing.

    Django already treats ``pk=99999999999999999999`` as matching nothing
    (``IntegerFieldExact``) but not ``pk__in``: SQLite raises OverflowError, so a
    multiple-choice form field given such a value was a 500 instead of "not a valid
    choice". Out-of-range values are dropped before the query is built.
    """

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
