/** torchvision.io.read_file / write_file: whole files as 1-D uint8 tensors (async: Node's fs/promises). */
import { Tensor, nodeFs } from '@torchts/core';
import { bytesTensor, tensorBytes } from './bytes.js';

/** Reads a file into a 1-D uint8 tensor. */
export async function readFile(path: string): Promise<Tensor> {
  const fs = await nodeFs('readFile');
  return bytesTensor(await fs.readFile(path));
}

/** Writes the bytes of a 1-D uint8 tensor to a file. */
export async function writeFile(path: string, data: Tensor): Promise<void> {
  const bytes = tensorBytes(data, 'write_file');
  const fs = await nodeFs('writeFile');
  await fs.writeFile(path, bytes);
}
