// 'prodk8s/terraform': the add-ons' Terraform stack, for a user's own cdktf
// app. Needs cdktf and @cdktf/provider-helm, optional peer dependencies.
export { AddonReleasesStack, RELEASE_TIMEOUT_SECONDS, terraformLiteral, valuesText } from './stacks/addon-releases-stack';
export { renderTerraform } from './synth/render-terraform';
