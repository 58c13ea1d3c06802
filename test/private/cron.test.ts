import { Cron } from 'cdk8s';
import { checkCronSchedule, checkTimeZone, cronProblem } from '../../src/private/cron';

const WHERE = 'SnapshotSchedule \'test/nightly\'';

describe('checkCronSchedule', () => {
  test.each([
    ['every minute', '* * * * *'],
    ['every day at 02:00', '0 2 * * *'],
    ['the upper bounds', '59 23 31 12 6'],
    ['the lower bounds', '0 0 1 1 0'],
    ['steps', '*/15 */2 */3 */4 */5'],
    ['a range with a step', '0-30/10 8-18/2 1-15/7 1-12/3 1-5/2'],
    ['a value with a step (to the maximum)', '5/20 3/6 * * *'],
    ['lists', '0,15,30,45 1,13 1,15 1,7 0,6'],
    ['lists of ranges and steps', '0-10,20-30/5 * * * *'],
    ['month and day names in any case', '0 3 * JAN-mar,Dec mon-FRI'],
    ['"?" in the day fields', '0 3 ? * ?'],
    ['extra white space', '  0   3 *\t* *  '],
    ['Cron.daily()', Cron.daily().expressionString],
    ['Cron.annually()', Cron.annually().expressionString],
  ])('accepts %s', (_name, value) => {
    expect(cronProblem(value)).toBeUndefined();
    expect(() => checkCronSchedule(WHERE, 'schedule', value)).not.toThrow();
  });

  test.each([
    ['an empty string', '', 'It has 0 fields, not 5'],
    ['four fields', '0 3 * *', 'It has 4 fields, not 5'],
    ['six fields (seconds)', '0 0 3 * * *', 'It has 6 fields, not 5'],
    ['one field', '5', 'It has 1 field, not 5'],
    ['a descriptor', '@daily', 'Descriptors such as "@daily" are not used here: write the five fields (@daily is "0 0 * * *", @hourly "0 * * * *")'],
    ['@every', '@every 1h', 'Descriptors such as "@every" are not used here: write the five fields (@daily is "0 0 * * *", @hourly "0 * * * *")'],
    ['a time zone prefix', 'TZ=UTC 0 3 * * *', 'A time zone prefix in the schedule is not allowed: set the time zone with \'timeZone\''],
    ['a CRON_TZ prefix', 'CRON_TZ=Europe/Berlin 0 3 * * *', 'A time zone prefix in the schedule is not allowed: set the time zone with \'timeZone\''],
    ['minute 60', '60 3 * * *', 'The minute field (field 1) "60": 60 is above the maximum, 59'],
    ['hour 24', '0 24 * * *', 'The hour field (field 2) "24": 24 is above the maximum, 23'],
    ['day of month 0', '0 3 0 * *', 'The day of month field (field 3) "0": 0 is below the minimum, 1'],
    ['day of month 32', '0 3 32 * *', 'The day of month field (field 3) "32": 32 is above the maximum, 31'],
    ['month 0', '0 3 * 0 *', 'The month field (field 4) "0": 0 is below the minimum, 1'],
    ['month 13', '0 3 * 13 *', 'The month field (field 4) "13": 13 is above the maximum, 12'],
    ['day of week 7 (the parser knows 0-6 only)', '0 3 * * 7', 'The day of week field (field 5) "7": 7 is above the maximum, 6'],
    ['a range beyond the maximum', '0 20-25 * * *', 'The hour field (field 2) "20-25": 25 is above the maximum, 23'],
    ['a reversed range', '0 3 * * 5-1', 'The day of week field (field 5) "5-1": the range starts at 5, after its end, 1'],
    ['a step of 0', '*/0 * * * *', 'The minute field (field 1) "*/0": the step must be at least 1'],
    ['a step that is no number', '*/x * * * *', 'The minute field (field 1) "*/x": the step "x" is not a whole number'],
    ['an empty step', '*/ * * * *', 'The minute field (field 1) "*/": the step "" is not a whole number'],
    ['two slashes', '*/5/2 * * * *', 'The minute field (field 1) "*/5/2": "*/5/2" has more than one "/"'],
    ['two hyphens', '1-2-3 * * * *', 'The minute field (field 1) "1-2-3": "1-2-3" has more than one "-"'],
    ['a negative number', '-1 * * * *', 'The minute field (field 1) "-1": a range is missing a bound'],
    ['a range without an end', '1- * * * *', 'The minute field (field 1) "1-": a range is missing a bound'],
    ['an empty list element', '0,,30 * * * *', 'The minute field (field 1) "0,,30": an empty list element'],
    ['a name in the minute field', 'mon * * * *', 'The minute field (field 1) "mon": "mon" is not a number'],
    ['a day name in the month field', '0 3 * mon *', 'The month field (field 4) "mon": "mon" is neither a number nor a month name (JAN-DEC)'],
    ['a month name in the day of week field', '0 3 * * jan', 'The day of week field (field 5) "jan": "jan" is neither a number nor a day name (SUN-SAT)'],
    ['a fraction', '0.5 * * * *', 'The minute field (field 1) "0.5": "0.5" is not a number'],
    ['"*" in a range', '*-5 * * * *', 'The minute field (field 1) "*-5": "*" is not a number'],
  ])('fails when the schedule is %s', (_name, value, problem) => {
    expect(cronProblem(value)).toBe(problem);
    expect(() => checkCronSchedule(WHERE, 'schedule', value)).toThrow(new Error(
      `${WHERE}: invalid 'schedule': ${JSON.stringify(value)}. Must be a cron expression of five fields, "minute hour day-of-month month day-of-week" `
      + '(minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT, Sunday being 0); '
      + 'each field "*", a value, a range "a-b", a step "*/n" or "a-b/n", or a comma-separated list of these. '
      + `${problem}. Set 'schedule' to an expression such as "0 3 * * *" (every day at 03:00) or "*/30 * * * *" (every 30 minutes), `
      + 'e.g. Cron.daily() or Cron.schedule({ minute: \'0\', hour: \'3\' }).'));
  });

  test('names the prop it is given', () => {
    expect(() => checkCronSchedule('Backup \'test/b\'', 'backup.schedule', '0 3 * *')).toThrow(/^Backup 'test\/b': invalid 'backup.schedule': "0 3 \* \*"\. .* Set 'backup.schedule' to /);
  });

  test('fails when the value is not a string', () => {
    expect(cronProblem(3 as any)).toBe('It is not a string but number');
  });
});

describe('checkTimeZone', () => {
  test.each(['Etc/UTC', 'UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'])('accepts %s', tz => {
    expect(() => checkTimeZone(WHERE, 'timeZone', tz, 'for "Etc/UTC"')).not.toThrow();
  });

  test.each(['Local', 'Mars/Olympus', 'utc+1', '', 'Europe/', 'Europe/ Berlin'])('fails when the time zone is %j', tz => {
    expect(() => checkTimeZone(WHERE, 'timeZone', tz, 'for "Etc/UTC"')).toThrow(new Error(
      `${WHERE}: invalid 'timeZone': ${JSON.stringify(tz)}. Must be a time zone of the IANA database, such as "Etc/UTC" or "Europe/Berlin" `
      + '("Local", the controller\'s own, is not allowed). Set \'timeZone\' to a time zone name, or leave it out for "Etc/UTC".'));
  });
});
