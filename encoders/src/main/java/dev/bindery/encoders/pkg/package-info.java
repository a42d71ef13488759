/**
 * Model packages: the {@code bindery-model.json} manifest ({@link
 * dev.bindery.encoders.pkg.ModelManifest}), file resolution for directories and classpath locations
 * ({@link dev.bindery.encoders.pkg.PackageFiles}), recognition of CLIP exports without a manifest
 * ({@link dev.bindery.encoders.pkg.ClipExportLayouts}), and the {@link
 * dev.bindery.encoders.pkg.TowerFactory} registry that turns each tower into an encoder ({@link
 * dev.bindery.encoders.pkg.ModelPackage}).
 */
package dev.bindery.encoders.pkg;
