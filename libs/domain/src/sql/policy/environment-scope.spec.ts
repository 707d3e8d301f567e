import { sqlNameParts } from './environment-scope';

describe('sqlNameParts', () => {
  it.each([
    ['t', ['t']],
    ['db.t', ['db', 't']],
    ['cat.db.t', ['cat', 'db', 't']],
    ['`my.cat`.`db`.`t-1`', ['my.cat', 'db', 't-1']],
    ['`a``.b`.c', ['a`.b', 'c']],
    ["'x.y'.z", ['x.y', 'z']],
  ])('%s → %j', (name, parts) => {
    expect(sqlNameParts(name)).toEqual(parts);
  });
});
