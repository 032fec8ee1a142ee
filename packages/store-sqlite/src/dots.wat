;; Source of DOTS_WASM in scope-cache.ts. Rebuild the base64 with
;;   npx -y -p wabt@1.0.37 wat2wasm src/dots.wat -o /tmp/dots.wasm && base64 -w0 /tmp/dots.wasm
;; Scores are float32 sums: scope-cache.ts rescores the rows near the cut in float64 with core's
;; dot, so the answer is exact.
(module
  (memory (export "memory") 1)
  ;; dot of `dims` f32 at $q and $p; dims is a multiple of 4. Four accumulators hide the add latency.
  (func $dot (param $q i32) (param $p i32) (param $dims i32) (result f32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $end i32) (local $end16 i32) (local $s v128)
    (local.set $end (i32.add (local.get $q) (i32.shl (local.get $dims) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $q) (i32.shl (i32.and (local.get $dims) (i32.const -16)) (i32.const 2))))
    (block $done16
      (loop $l16
        (br_if $done16 (i32.ge_u (local.get $q) (local.get $end16)))
        (local.set $a (f32x4.add (local.get $a) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $p)))))
        (local.set $b (f32x4.add (local.get $b) (f32x4.mul (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $p)))))
        (local.set $c (f32x4.add (local.get $c) (f32x4.mul (v128.load offset=32 (local.get $q)) (v128.load offset=32 (local.get $p)))))
        (local.set $d (f32x4.add (local.get $d) (f32x4.mul (v128.load offset=48 (local.get $q)) (v128.load offset=48 (local.get $p)))))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $l16)))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $a (f32x4.add (local.get $a) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $p)))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l4)))
    (local.set $s (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
      (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
  ;; out[r] = dot(q, v + r * dims) for r < n
  (func (export "dots") (param $q i32) (param $v i32) (param $n i32) (param $dims i32) (param $out i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $dims) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out) (call $dot (local.get $q) (local.get $v) (local.get $dims)))
        (local.set $v (i32.add (local.get $v) (local.get $stride)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l))))
  ;; out[j] = dot(q, v + idx[j] * dims) for j < n (rows a filter admitted)
  (func (export "dotsAt") (param $q i32) (param $v i32) (param $idx i32) (param $n i32) (param $dims i32) (param $out i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $dims) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out)
          (call $dot (local.get $q) (i32.add (local.get $v) (i32.mul (i32.load (local.get $idx)) (local.get $stride))) (local.get $dims)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l)))))
