import { pbkdf2Sync } from 'node:crypto';
import { decodeUpsertScram, encodeUpsertScram } from './scram-credentials';

describe('AlterUserScramCredentials v0 (flexible) encoding', () => {
  it('writes the header tags, no deletions and one SCRAM-SHA-512 upsertion with the salted password', () => {
    const salt = Buffer.alloc(32, 1);
    const body = encodeUpsertScram('lkc-1', 'pw', salt);
    const salted = pbkdf2Sync('pw', salt, 4096, 64, 'sha512');
    expect(body).toEqual(
      Buffer.concat([
        Buffer.from([0, 1, 2]), // header tags, deletions [], upsertions [1]
        Buffer.from([6]), // compact string length + 1
        Buffer.from('lkc-1'),
        Buffer.from([2, 0, 0, 0x10, 0]), // SCRAM-SHA-512, 4096 iterations
        Buffer.from([33]),
        salt,
        Buffer.from([65]),
        salted,
        Buffer.from([0, 0]),
      ]),
    );
    expect(body.toString('latin1')).not.toContain('pw');
  });

  it('reads each user’s error code and message', () => {
    const response = Buffer.concat([
      Buffer.from([0]), // header tags
      Buffer.from([0, 0, 0, 0]), // throttle
      Buffer.from([3]), // two results
      Buffer.from([2]),
      Buffer.from('a'),
      Buffer.from([0, 0, 0, 0]), // no error, null message, no tags
      Buffer.from([2]),
      Buffer.from('b'),
      Buffer.from([0, 68, 4]),
      Buffer.from('bad'),
      Buffer.from([0, 0]),
    ]);
    expect(decodeUpsertScram(response)).toEqual([
      { user: 'a', errorCode: 0, errorMessage: null },
      { user: 'b', errorCode: 68, errorMessage: 'bad' },
    ]);
  });
});
