#include "engine/calendar.h"

namespace docket {

const AlwaysOpenCalendar& AlwaysOpenCalendar::Get() {
  static const AlwaysOpenCalendar* const kCalendar = new AlwaysOpenCalendar;
  return *kCalendar;
}

}  // namespace docket
