import { addressMismatch, houseOf, postcodeKey } from '../../src/mailout/address';

describe('matching a typed address to the invited household', () => {
  const invited = { line1: 'Flat 2', line2: '10 High Street', postcode: 'CV1 2AB' };

  test('postcodes match however they are spaced or cased', () => {
    expect(postcodeKey(' cv1  2ab ')).toBe('CV12AB');
    expect(addressMismatch(invited, { address: 'Flat 2, 10 High St', postcode: 'cv12ab' })).toBeNull();
    expect(addressMismatch(invited, { address: 'Flat 2, 10 High St', postcode: 'CV1 2AD' })).toBe('postcode');
  });

  test('the same house written differently matches', () => {
    for (const address of ['Flat 2, 10 High St', '10 High Street, Flat 2', 'flat 2 10 high st', 'Apartment 2, 10 High Street', '10 High Street'])
      expect([address, addressMismatch(invited, { address, postcode: 'CV1 2AB' })]).toEqual([address, null]);
  });

  test('another house on the street, or another flat in the building, is flagged', () => {
    expect(addressMismatch(invited, { address: '10a High Street', postcode: 'CV1 2AB' })).toBe('house number');
    expect(addressMismatch(invited, { address: '12 High Street', postcode: 'CV1 2AB' })).toBe('house number');
    expect(addressMismatch(invited, { address: 'Flat 3, 10 High Street', postcode: 'CV1 2AB' })).toBe('flat');
    expect(addressMismatch({ line1: '10A High Street', postcode: 'CV1 2AB' }, { address: '10 A High St', postcode: 'CV1 2AB' })).toBeNull();
  });

  test('a named house matches by its name', () => {
    const cottage = { line1: 'Rose Cottage', line2: 'Mill Lane', postcode: 'CV7 9XY' };
    expect(addressMismatch(cottage, { address: 'Rose Cottage, Mill Ln', postcode: 'CV7 9XY' })).toBeNull();
    expect(addressMismatch(cottage, { address: 'Ivy House, Mill Lane', postcode: 'CV7 9XY' })).toBe('house name');
  });

  test('the house is read from the flat, the number and its letter', () => {
    expect(houseOf('Flat 2B, 14a Station Rd')).toEqual({ flat: '2B', number: '14A', words: 'STATION ROAD' });
    expect(houseOf('Rose Cottage')).toEqual({ words: 'ROSE COTTAGE', flat: undefined, number: undefined });
  });
});
