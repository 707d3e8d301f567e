import { protobufToFlinkColumns } from './protobuf-to-flink';
import { protobufWirePlan } from './protobuf-wire-plan';

const SHOP = `
syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/type/date.proto";
import "confluent/type/decimal.proto";

message Order {
  int64 id = 1;
  sint32 delta = 2;
  fixed64 checksum = 3;
  Status status = 4;
  Line line = 5;
  repeated Line lines = 6;
  repeated int32 counts = 7;
  map<string, Money> prices = 8;
  google.protobuf.Timestamp at = 9;
  google.protobuf.StringValue note = 10;
  google.type.Date day = 11;
  confluent.type.Decimal total = 12 [(confluent.field_meta) = { params: [{key: "precision", value: "10"}, {key: "scale", value: "2"}] }];
  oneof payment {
    string card = 20;
    Money cash = 21;
  }
  enum Status {
    option allow_alias = true;
    UNKNOWN = 0;
    PAID = 1 [deprecated = true];
    SHIPPED = 2;
  }
  message Line { string sku = 1; float weight = 2; }
}
message Money { string currency = 1; double amount = 2; }
`;

describe('protobufWirePlan: field numbers and proto types per column', () => {
  it('plans every shape protobufToFlinkColumns maps, in column order (golden)', () => {
    const line = [
      { n: 1, t: 'string' },
      { n: 2, t: 'float' },
    ];
    const money = [
      { n: 1, t: 'string' },
      { n: 2, t: 'double' },
    ];
    expect(protobufWirePlan(SHOP)).toEqual([
      { n: 1, t: 'int64' },
      { n: 2, t: 'sint32' },
      { n: 3, t: 'fixed64' },
      { n: 4, t: 'enum', e: { '0': 'UNKNOWN', '1': 'PAID', '2': 'SHIPPED' } },
      { n: 5, t: 'message', m: line },
      { n: 6, t: 'message', m: line, r: 1 },
      { n: 7, t: 'int32', r: 1 },
      { n: 8, t: 'map', k: 'string', v: { n: 1, t: 'message', m: money } },
      { n: 9, t: 'timestamp' },
      { n: 10, t: 'wrapper', w: 'string' },
      { n: 11, t: 'date' },
      { n: 12, t: 'decimal' },
      {
        o: [
          { n: 20, t: 'string' },
          { n: 21, t: 'message', m: money },
        ],
      },
    ]);
  });

  it('has one entry per column', () => {
    expect(protobufWirePlan(SHOP)).toHaveLength(protobufToFlinkColumns(SHOP).length);
  });

  it('plans the message asked for', () => {
    expect(protobufWirePlan(SHOP, { messageName: 'Money' })).toEqual([
      { n: 1, t: 'string' },
      { n: 2, t: 'double' },
    ]);
  });
});
