// esbuild entry: pack from the npm @rrweb/packer as a browser global (window.rrwebPacker),
// bundled locally by record_sdk.js (its dist UMD files require() a shared chunk).
import { pack } from '@rrweb/packer/pack';
window.rrwebPacker = { pack };
