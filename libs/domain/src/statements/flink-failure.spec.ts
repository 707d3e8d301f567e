import {
  classifyFailure,
  collapseFailures,
  failureDetail,
  type FlinkFailure,
  userFailureOf,
} from './flink-failure';

const failure = (rootClass: string, message: string, timestamp = 1): FlinkFailure => ({
  rootClass,
  message,
  timestamp,
});

describe('classifyFailure', () => {
  it.each([
    ['java.lang.NumberFormatException', "NumberFormatException: For input string: 'x'", 'USER'],
    ['java.lang.ArithmeticException', 'ArithmeticException: / by zero', 'USER'],
    ['java.time.format.DateTimeParseException', "Text 'x' could not be parsed", 'USER'],
    [
      'org.apache.flink.table.api.TableException',
      "TableException: Column 'id' is NOT NULL, however, a null value is being written into it.",
      'USER',
    ],
    ['java.io.IOException', 'IOException: Failed to deserialize Avro record.', 'USER'],
    ['org.apache.kafka.common.errors.TopicAuthorizationException', 'Not authorized', 'USER'],
    ['org.apache.flink.runtime.jobmaster.JobMasterException', 'TaskManager lost', 'SYSTEM'],
    ['java.util.concurrent.TimeoutException', 'TimeoutException: heartbeat', 'SYSTEM'],
  ] as const)('%s is %s… → %s', (rootClass, message, kind) => {
    expect(classifyFailure({ rootClass, message })).toBe(kind);
  });
});

describe('collapseFailures', () => {
  it('folds restarts of one cause into one entry with a count, newest cause first', () => {
    const cast = "NumberFormatException: For input string: 'x'";
    const collapsed = collapseFailures([
      failure('java.lang.NumberFormatException', cast, 10),
      failure('java.lang.NumberFormatException', cast, 30),
      failure('java.util.concurrent.TimeoutException', 'TimeoutException: slow', 5),
      failure('java.lang.NumberFormatException', cast, 20),
    ]);
    expect(collapsed).toEqual([
      { name: 'java.lang.NumberFormatException', message: cast, kind: 'USER', count: 3, timestamp: 30 },
      {
        name: 'java.util.concurrent.TimeoutException',
        message: 'TimeoutException: slow',
        kind: 'SYSTEM',
        count: 1,
        timestamp: 5,
      },
    ]);
  });
});

describe('userFailureOf', () => {
  it('answers the newest failure when it is the user’s, nothing for a system failure', () => {
    expect(userFailureOf([failure('java.lang.ArithmeticException', '/ by zero', 2)])).toMatchObject({
      kind: 'USER',
    });
    expect(
      userFailureOf([
        failure('java.lang.ArithmeticException', '/ by zero', 1),
        failure('java.util.concurrent.TimeoutException', 'slow', 2),
      ]),
    ).toBeUndefined();
    expect(userFailureOf([])).toBeUndefined();
  });
});

describe('failureDetail', () => {
  it('says whose error it is and gives Flink’s root cause', () => {
    expect(failureDetail({ name: 'x', message: 'ArithmeticException: / by zero', kind: 'USER' })).toBe(
      'The statement failed on its own SQL or data (a user error; Flink would fail it again on every restart): ArithmeticException: / by zero',
    );
    expect(failureDetail({ name: 'x', message: 'lost', kind: 'SYSTEM' })).toBe('The Flink job failed: lost');
  });
});
