/**
 * The layers of src/ (docs/DESIGN.md, "Layers"), checked by `npm test` (npm run check:layers). A module may
 * import from its own folder and from the layers below it, never from one above or beside it. Pages (a
 * folder's *routes.ts) sit on top: they may call any module, and only app.ts and their own folder's pages
 * import them. The browser's code (src/client) takes only the room's and the votes' pure rules and types.
 */
const LAYERS = [
  ['base', '^src/(audit|audit-query|clock|config|context|csv|db|disclosure|errors|keys|paths|public-numbers|revocations|seal|tokens|worker)\\.ts$|^src/web/'],
  ['the engines (voting, sortition)', '^src/(voting|sortition)/'],
  ['messages (the outbox and its sender)', '^src/messages/'],
  ['auth', '^src/auth/'],
  ['panels', '^src/panels/'],
  ['mailout (stage one: letters to households)', '^src/mailout/'],
  ['registration', '^src/registration/'],
  ['membership', '^src/membership/'],
  ['selection and the room', '^src/(selection|room)/'],
  ['outcomes', '^src/outcomes/'],
];
const TOP = '^src/(app|server|home)\\.ts$|^src/(demo|cli)/';
const PAGES = 'routes\\.ts$';

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer: ${name}`,
  severity: 'error',
  comment: `${name} may import only from the layers below it (${LAYERS.slice(0, i).map(([n]) => n).join(', ') || 'none'}).`,
  from: { path, pathNot: PAGES },
  to: { path: [...LAYERS.slice(i + 1).map(([, p]) => p), TOP] },
}));

module.exports = {
  forbidden: [
    ...upward,
    { name: 'layer: outcomes', severity: 'error', comment: 'outcomes may not import the top (app, server, demo, cli).', from: { path: '^src/outcomes/', pathNot: PAGES }, to: { path: TOP } },
    { name: 'siblings: selection and room', severity: 'error', comment: 'The selection and the room share the membership module; neither imports the other.', from: { path: '^src/selection/', pathNot: PAGES }, to: { path: '^src/room/' } },
    { name: 'siblings: room and selection', severity: 'error', comment: 'The selection and the room share the membership module; neither imports the other.', from: { path: '^src/room/', pathNot: PAGES }, to: { path: '^src/selection/' } },
    { name: 'siblings: the engines', severity: 'error', comment: 'The voting and sortition engines are independent.', from: { path: '^src/voting/' }, to: { path: '^src/sortition/' } },
    { name: 'siblings: the engines', severity: 'error', comment: 'The voting and sortition engines are independent.', from: { path: '^src/sortition/' }, to: { path: '^src/voting/' } },
    { name: 'pages', severity: 'error', comment: 'Only app.ts and a page of the same folder import a page: take what you need from the module the page calls.', from: { path: '^src/([a-z]+)/', pathNot: '^src/app\\.ts$' }, to: { path: PAGES, pathNot: '^src/$1/' } },
    { name: 'pages', severity: 'error', comment: 'Only app.ts and a page of the same folder import a page.', from: { pathNot: ['^src/app\\.ts$', PAGES, '^test/', '^bench/'] }, to: { path: PAGES } },
    { name: 'client', severity: 'error', comment: 'The browser bundle takes only the room and the votes (their pure rules and types).', from: { path: '^src/client/' }, to: { path: '^src/', pathNot: '^src/(client|room|voting)/' } },
    { name: 'client', severity: 'error', comment: 'The server never imports the browser code.', from: { path: '^src/', pathNot: '^src/client/' }, to: { path: '^src/client/' } },
    { name: 'no-circular', severity: 'error', comment: 'Modules that import each other, through however many steps.', from: { path: '^src/' }, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: 'node_modules' },
  },
};
