/** The typed Resolver rule API lives in the product (lib/provider/resolver-types.ts); tools and tests import it here. */
export * from '../../lib/provider/resolver-types.js';
