import { memberSegmentIds, relevantAssignments } from './membership';

describe('relevant assignment set (segment §2.4)', () => {
  const keys = [
    { segmentId: 'b2c', legalEntityId: null },
    { segmentId: 'a1', legalEntityId: 'le-1' },
    { segmentId: 'a2', legalEntityId: 'le-2' },
  ];
  it('keeps everything without a legal-entity context', () => {
    expect(relevantAssignments(keys, undefined)).toEqual(keys);
  });
  it('drops other legal entities when the customer has several', () => {
    expect(memberSegmentIds(relevantAssignments(keys, 'le-1'))).toEqual(['b2c', 'a1']);
    expect(memberSegmentIds(relevantAssignments(keys, 'le-x'))).toEqual(['b2c']);
  });
  it('keeps everything when the customer has a single legal entity', () => {
    expect(relevantAssignments(keys.slice(0, 2), 'le-x')).toEqual(keys.slice(0, 2));
  });
  it('lists each segment once', () => {
    expect(memberSegmentIds([...keys, { segmentId: 'b2c', legalEntityId: 'le-1' }])).toEqual(['b2c', 'a1', 'a2']);
  });
});
