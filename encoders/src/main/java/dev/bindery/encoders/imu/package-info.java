/**
 * IMU traces: CSV and .npy decoding, ImageBind's 6 x 2000 windows and the {@code imagebind-imu}
 * tower.
 */
package dev.bindery.encoders.imu;
