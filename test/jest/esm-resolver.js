// Some validators (@kubernetes-models/flux-cd 3.x) publish ES modules only, under
// an "import" export condition that jest's CommonJS resolver does not try.
// Fall back to it, so that they can be required from tests.
module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (error) {
    return options.defaultResolver(request, { ...options, conditions: [...(options.conditions ?? []), 'import'] });
  }
};
