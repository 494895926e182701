import { generatePassword, hashPassword, verifyPassword } from '../../src/auth/passwords';

describe('hashPassword and verifyPassword', () => {
  const password = 'correct horse battery staple';
  const stored = hashPassword(password);

  test('the right password verifies and a wrong one does not', () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(verifyPassword(password, stored)).toBe(true);
    expect(verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(verifyPassword('', stored)).toBe(false);
  });

  test('two hashes of the same password differ (random salt) and both verify', () => {
    const again = hashPassword(password);
    expect(again).not.toBe(stored);
    expect(verifyPassword(password, again)).toBe(true);
  });

  test('a stored value that is not one of our hashes never verifies', () => {
    const [, , , , salt, hash] = stored.split('$');
    for (const bad of ['', 'garbage', password, `bcrypt$32768$8$1$${salt}$${hash}`, `scrypt$32768$8$1$${salt}$`]) {
      expect(verifyPassword(password, bad)).toBe(false);
    }
  });

  test('a corrupt hash part does not let any password in', () => {
    const [, , , , salt] = stored.split('$');
    // 'A' decodes to zero bytes, so there is nothing to compare against.
    expect(verifyPassword('any guess at all', `scrypt$32768$8$1$${salt}$A`)).toBe(false);
  });

  test('corrupt cost parameters give false rather than an exception', () => {
    const [, , , , salt, hash] = stored.split('$');
    expect(verifyPassword(password, `scrypt$abc$8$1$${salt}$${hash}`)).toBe(false);
    expect(verifyPassword(password, `scrypt$1000$8$1$${salt}$${hash}`)).toBe(false);
  });
});

describe('generatePassword', () => {
  test('gives 18 characters from an alphabet without look-alikes (0 O 1 l I)', () => {
    for (let i = 0; i < 50; i++) {
      expect(generatePassword()).toMatch(/^[a-hjkmnp-zA-HJKMNP-Z2-9]{18}$/);
    }
  });

  test('gives a different password each time', () => {
    expect(new Set(Array.from({ length: 20 }, generatePassword)).size).toBe(20);
  });
});
