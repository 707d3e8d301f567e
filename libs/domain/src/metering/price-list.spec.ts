import { RiffleError } from '../riffle-error';
import { parsePriceList, type PriceList, unitPriceFor } from './price-list';

const list: PriceList = {
  currency: 'USD',
  defaultUnitPrice: '0.21',
  regions: { 'eu-west-1': '0.23' },
  organizations: { 'org-vip': '0.15' },
};

describe('unitPriceFor', () => {
  it.each<[string, { organizationId: string; region?: string | null }, string]>([
    ['the default', { organizationId: 'org-1', region: 'us-east-1' }, '0.21'],
    ['the region over the default', { organizationId: 'org-1', region: 'eu-west-1' }, '0.23'],
    ['the organization over the region', { organizationId: 'org-vip', region: 'eu-west-1' }, '0.15'],
    ['no region: the default', { organizationId: 'org-1', region: null }, '0.21'],
    ['inherited object keys are not prices', { organizationId: 'constructor', region: 'toString' }, '0.21'],
  ])('%s', (_name, scope, price) => {
    expect(unitPriceFor(list, scope)).toBe(price);
  });

  it('works without overrides', () => {
    expect(unitPriceFor({ currency: 'EUR', defaultUnitPrice: '0.2' }, { organizationId: 'o' })).toBe('0.2');
  });
});

describe('parsePriceList', () => {
  it('accepts a valid list', () => {
    expect(parsePriceList(JSON.parse(JSON.stringify(list)))).toEqual(list);
    expect(parsePriceList({ currency: 'EUR', defaultUnitPrice: '0.19' })).toEqual({
      currency: 'EUR',
      defaultUnitPrice: '0.19',
    });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'prices', '(the whole list)'],
    ['no currency', { defaultUnitPrice: '0.21' }, 'currency'],
    ['a lowercase currency', { currency: 'usd', defaultUnitPrice: '0.21' }, 'currency: must be an ISO 4217'],
    ['a numeric price', { currency: 'USD', defaultUnitPrice: 0.21 }, 'defaultUnitPrice'],
    ['a negative price', { currency: 'USD', defaultUnitPrice: '-1' }, 'defaultUnitPrice: must be a decimal'],
    [
      'a bad region price',
      { currency: 'USD', defaultUnitPrice: '0.21', regions: { 'eu-west-1': '1e2' } },
      'regions.eu-west-1: must be a decimal',
    ],
    [
      'a bad organization price',
      { currency: 'USD', defaultUnitPrice: '0.21', organizations: { o1: '' } },
      'organizations.o1: must be a decimal',
    ],
    ['a misspelt key', { currency: 'USD', default_unit_price: '0.21' }, 'default_unit_price'],
  ])('rejects %s, naming the problem', (_name, json, mentions) => {
    expect(() => parsePriceList(json)).toThrow(RiffleError);
    expect(() => parsePriceList(json)).toThrow(expect.objectContaining({ code: 'INVALID_PRICE_LIST' }));
    expect(() => parsePriceList(json)).toThrow(mentions);
  });
});
