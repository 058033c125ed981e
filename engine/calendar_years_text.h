#ifndef DOCKET_ENGINE_CALENDAR_YEARS_TEXT_H_
#define DOCKET_ENGINE_CALENDAR_YEARS_TEXT_H_

namespace docket {

// The texts of engine/calendars/*.textproto, embedded at build time,
// ending with a null pointer.
extern const char* const kCalendarYearTexts[];

}  // namespace docket

#endif  // DOCKET_ENGINE_CALENDAR_YEARS_TEXT_H_
