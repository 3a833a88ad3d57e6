// Removes the scratch folder of `scratch-setup.js`.
const { rmSync } = require('fs');

module.exports = () => {
  rmSync(process.env.TMPDIR, { recursive: true, force: true });
};
