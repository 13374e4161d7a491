# cmake -P script for tests/scripts/reason_cli.cmake: seek rl (GRPO, DAPO, --sft, --eval) and
# seek distill (logits) end to end on a random-weight ds-tiny GGUF with a real vocabulary.
# -DSEEK=binary -DVOCAB=vocab.gguf -DDIR=work dir -DBUNDLED=models/seek-quickstart.gguf
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
function(run_ok what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
endfunction()
function(expect_rows file n keys)
  file(STRINGS ${file} rows)
  list(LENGTH rows got)
  if(NOT got EQUAL n)
    message(FATAL_ERROR "${file}: expected ${n} rows, got ${got}")
  endif()
  foreach(row ${rows})
    foreach(k ${keys})
      string(JSON v ERROR_VARIABLE e GET "${row}" ${k})
      if(e)
        message(FATAL_ERROR "${file}: row lacks key ${k}: ${row}")
      endif()
    endforeach()
  endforeach()
endfunction()

set(M ${DIR}/tiny.gguf)
run_ok("seek init" ${SEEK} init --preset ds-tiny --vocab ${VOCAB} --out ${M} --seed 3)
set(common --task arithmetic --difficulty 1 --prompts 2 -G 4 --max-new 8 --eval-n 4 -t 2 -q)

run_ok("seek rl (grpo)" ${SEEK} rl -m ${M} ${common} --steps 2 --epochs 2 --out ${DIR}/grpo)
expect_rows(${DIR}/grpo/metrics.jsonl 2 "step;reward;accuracy;response_length;kl;clip_frac")
if(NOT EXISTS ${DIR}/grpo/model.gguf)
  message(FATAL_ERROR "seek rl did not export ${DIR}/grpo/model.gguf")
endif()

run_ok("seek rl --eval" ${SEEK} rl -m ${DIR}/grpo/model.gguf ${common} --eval --json)
string(JSON acc ERROR_VARIABLE e GET "${last_out}" accuracy)
string(JSON n GET "${last_out}" n)
if(e OR NOT n EQUAL 4)
  message(FATAL_ERROR "seek rl --eval --json: expected accuracy over 4 problems, got: ${last_out}")
endif()

# Every kept completion carries its own accuracy reward. On the bundled trained model, greedy,
# 8 two-digit problems, all kept: some right and some wrong (0.75 when written), and they add
# up to the total.
run_ok("seek rl --eval (bundled)" ${SEEK} rl -m ${BUNDLED} --task arithmetic --difficulty 2 --eval-n 8 -t 2 -q
       --eval --eval-examples 8 --json)
string(JSON acc GET "${last_out}" accuracy)
set(right 0)
foreach(i RANGE 7)
  string(JSON a ERROR_VARIABLE e GET "${last_out}" examples ${i} accuracy)
  if(e)
    message(FATAL_ERROR "seek rl --eval --json: example ${i} has no accuracy: ${last_out}")
  elseif(a EQUAL 1)
    math(EXPR right "${right} + 1")
  elseif(NOT a EQUAL 0)
    message(FATAL_ERROR "seek rl --eval --json: example ${i} accuracy ${a} is neither 0 nor 1")
  endif()
endforeach()
set(shares 0 0.125 0.25 0.375 0.5 0.625 0.75 0.875 1)
list(GET shares ${right} want)
if(right EQUAL 0 OR right EQUAL 8 OR NOT acc EQUAL want)
  message(FATAL_ERROR "seek rl --eval --json: accuracy ${acc} with ${right} of 8 examples right (want a mix that adds up)")
endif()

run_ok("seek rl --eval --eval-samples" ${SEEK} rl -m ${DIR}/grpo/model.gguf ${common} --eval --eval-samples 3 --eval-temp 0.7 --json)
string(JSON k ERROR_VARIABLE e GET "${last_out}" samples)
string(JSON pk ERROR_VARIABLE e2 GET "${last_out}" pass_at_k)
string(JSON acc GET "${last_out}" accuracy)
if(e OR e2 OR NOT k EQUAL 3 OR pk LESS acc OR pk GREATER 1)
  message(FATAL_ERROR "seek rl --eval --eval-samples 3: expected samples 3 and accuracy <= pass_at_k <= 1, got: ${last_out}")
endif()

run_ok("seek rl (dapo)" ${SEEK} rl -m ${M} ${common} --steps 1 --mode dapo --export none --out ${DIR}/dapo)
expect_rows(${DIR}/dapo/metrics.jsonl 1 "step;reward;n_kept")

run_ok("seek rl --sft" ${SEEK} rl -m ${M} ${common} --sft --steps 2 --batch 2 --eval-every 2 --export none --out ${DIR}/sft)
expect_rows(${DIR}/sft/metrics.jsonl 2 "step;loss;grad_norm")

run_ok("seek distill --mode logits" ${SEEK} distill --teacher ${M} --student ${DIR}/grpo/model.gguf --mode logits
       --keep-all --task arithmetic --difficulty 1 --prompts 2 --samples 2 --max-new 8 --steps 2 --batch 2 --eval-n 2
       -t 2 -q --export none --out ${DIR}/kd)
expect_rows(${DIR}/kd/metrics.jsonl 2 "step;loss")
