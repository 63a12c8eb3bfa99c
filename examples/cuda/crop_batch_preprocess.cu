// DNN preprocessing of detections, the Fused Kernel Library paper's horizontal-fusion case: for each
// of NUM_CROPS regions of one video frame, convert the 8-bit pixels to float, normalize them, and
// split the channels into planar (CHW) tensors of a batch. Three tiny kernels per crop, 150 launches
// per frame: launch overhead dominates. Fusion Lens batches the loop into one launch and fuses the
// three stages per pixel.
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

#define FRAME_W 1920
#define FRAME_H 1080
#define NUM_CROPS 50
#define CROP_W 60
#define CROP_H 120

struct Roi {
  int x, y;
};

__global__ void crop_to_float(const uchar3* __restrict__ frame, int frame_w, int x0, int y0,
                              float3* __restrict__ out, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    uchar3 p = frame[(y0 + y) * frame_w + (x0 + x)];
    out[y * w + x] = make_float3(p.x, p.y, p.z);
  }
}

__global__ void normalize_px(const float3* __restrict__ in, float3* __restrict__ out, float3 mean,
                             float3 inv_std, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    float3 v = in[y * w + x];
    out[y * w + x] = make_float3((v.x - mean.x) * inv_std.x, (v.y - mean.y) * inv_std.y, (v.z - mean.z) * inv_std.z);
  }
}

__global__ void split_planes(const float3* __restrict__ in, float* __restrict__ r, float* __restrict__ g,
                             float* __restrict__ b, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    float3 v = in[y * w + x];
    r[y * w + x] = v.x;
    g[y * w + x] = v.y;
    b[y * w + x] = v.z;
  }
}

int main() {
  const int plane = CROP_W * CROP_H;
  std::vector<uchar3> frame(FRAME_W * FRAME_H);
  for (int i = 0; i < FRAME_W * FRAME_H; ++i) frame[i] = make_uchar3(i % 251, (i / 7) % 253, (i / 13) % 255);
  std::vector<Roi> rois(NUM_CROPS);
  for (int k = 0; k < NUM_CROPS; ++k) rois[k] = {(k * 37) % (FRAME_W - CROP_W), (k * 53) % (FRAME_H - CROP_H)};

  uchar3* d_frame;
  float3 *d_crop, *d_norm;
  float *d_r, *d_g, *d_b;
  cudaMalloc(&d_frame, FRAME_W * FRAME_H * sizeof(uchar3));
  cudaMalloc(&d_crop, plane * sizeof(float3));
  cudaMalloc(&d_norm, plane * sizeof(float3));
  cudaMalloc(&d_r, NUM_CROPS * plane * sizeof(float));
  cudaMalloc(&d_g, NUM_CROPS * plane * sizeof(float));
  cudaMalloc(&d_b, NUM_CROPS * plane * sizeof(float));
  cudaMemcpy(d_frame, frame.data(), frame.size() * sizeof(uchar3), cudaMemcpyHostToDevice);

  cudaStream_t stream;
  cudaStreamCreate(&stream);
  const float3 mean = make_float3(123.7f, 116.3f, 103.5f);
  const float3 inv_std = make_float3(1 / 58.4f, 1 / 57.1f, 1 / 57.4f);
  dim3 block(32, 8);
  dim3 grid((CROP_W + block.x - 1) / block.x, (CROP_H + block.y - 1) / block.y);
  for (int k = 0; k < NUM_CROPS; ++k) {
    crop_to_float<<<grid, block, 0, stream>>>(d_frame, FRAME_W, rois[k].x, rois[k].y, d_crop, CROP_W, CROP_H);
    normalize_px<<<grid, block, 0, stream>>>(d_crop, d_norm, mean, inv_std, CROP_W, CROP_H);
    split_planes<<<grid, block, 0, stream>>>(d_norm, d_r + k * plane, d_g + k * plane, d_b + k * plane, CROP_W, CROP_H);
  }

  std::vector<float> r(NUM_CROPS * plane), g(NUM_CROPS * plane), b(NUM_CROPS * plane);
  cudaMemcpyAsync(r.data(), d_r, r.size() * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaMemcpyAsync(g.data(), d_g, g.size() * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaMemcpyAsync(b.data(), d_b, b.size() * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  double s = 0;
  for (int i = 0; i < NUM_CROPS * plane; ++i) s += r[i] + 2 * g[i] + 3 * b[i];
  std::printf("checksum %.6e first %.6f %.6f %.6f\n", s, r[0], g[0], b[0]);
  cudaFree(d_frame); cudaFree(d_crop); cudaFree(d_norm); cudaFree(d_r); cudaFree(d_g); cudaFree(d_b);
  cudaStreamDestroy(stream);
  return 0;
}
