// Checks the four runs of consumer.TrainStep (see invoker.properties): every one trained, saved and
// reloaded its weights and wrapped a segment; the kernels each chose and their log lines; the same
// losses everywhere; and no JDK warning about restricted (native access) methods without the flag.
def logs = ['module-path', 'module-path-add-modules', 'class-path', 'class-path-add-modules'].collectEntries {
  def f = new File(basedir, "target/${it}.log")
  assert f.isFile() : "no log of the ${it} run"
  [(it): f.getText('UTF-8')]
}
def losses = [:]
logs.each { run, text ->
  def where = "${run} run:\n${text}"
  assert text.contains("running on the ${run.startsWith('module') ? 'module' : 'class'} path") : where
  assert text.contains('loss decreased: true') : where
  assert text.contains('safetensors round trip identical: true') : where
  assert text.contains("wrapped segment sum: 8.0, segment() is the caller's memory: true") : where
  assert !text.contains('restricted method') : "${where}\nneeds no --enable-native-access (huge pages stay off without it)"
  assert !text.contains('Exception') : where
  def m = text =~ /loss (\d+\.\d+) -> (\d+\.\d+)/
  assert m.find() : where
  losses[run] = [m.group(1) as double, m.group(2) as double]
}
// The module requires jdk.incubator.vector: on the module path the Vector API is there with or without the flag.
['module-path', 'module-path-add-modules', 'class-path-add-modules'].each {
  assert logs[it].contains('vectorgrad: using Vector API kernels') : "${it}: ${logs[it]}"
}
// On the class path without the flag: the scalar fallback, and a log line that names the flag.
assert logs['class-path'].contains('vectorgrad: jdk.incubator.vector is not available, using scalar kernels') : logs['class-path']
assert logs['class-path'].contains('--add-modules jdk.incubator.vector') : logs['class-path']
// Same program, same numbers: the scalar kernels agree with the vector ones to float rounding.
def (first, last) = losses['module-path']
losses.each { run, l ->
  assert Math.abs(l[0] - first) <= 1e-5 * Math.abs(first) + 1e-6 : "${run}: ${l} vs ${losses['module-path']}"
  assert Math.abs(l[1] - last) <= 1e-4 * Math.abs(last) + 1e-6 : "${run}: ${l} vs ${losses['module-path']}"
}
println "consumer IT: 4 runs OK, losses ${losses}"
return true
