" Vim syntax file for DLT, a language for deep-learning-theory experiments.
" Install: copy editors/vim/ into ~/.vim/ (or add it to 'runtimepath').
if exists("b:current_syntax")
  finish
endif

syn keyword dltStatement let fn return import seed assert print show
syn keyword dltConditional if else
syn keyword dltRepeat for in while break continue
syn keyword dltExperiment sweep
syn keyword dltBoolean true false
syn keyword dltConstant nil
syn keyword dltOperatorWord and or not
" `record` is a keyword where a statement starts (record err = e); elsewhere an ordinary name
syn match dltExperiment /\(^\|[{;]\)\s*\zsrecord\ze\s\+\h/

syn match dltNumber /\<\d\+\(\.\d*\)\=\([eE][+-]\=\d\+\)\=\>/
syn match dltNumber /\.\d\+\([eE][+-]\=\d\+\)\=\>/
syn match dltOperator /\.\.\|=>\|[@^'+\-*\/%<>=!]/
syn region dltString start=/"/ skip=/\\\\\|\\"/ end=/"/ contains=dltEscape
syn match dltEscape /\\[nt"\\r]\|\\u{\x\+}/ contained

" #' narrative comments (markdown, shown when stepping through a lecture) and # comments
syn match dltNarrative /#'.*$/ contains=dltMath,dltCode
syn match dltMath /\$[^$]*\$/ contained
syn match dltCode /`[^`]*`/ contained
syn match dltComment /#\([^'!].*\)\=$/ contains=dltTodo,dltExpect
syn match dltShebang /\%^#!.*$/
syn keyword dltTodo TODO FIXME XXX contained
syn match dltExpect /expect\( error\| exit\| stderr\)\=:/ contained

syn match dltFunction /\(\<fn\s\+\)\@<=\h\w*/

hi def link dltStatement Statement
hi def link dltConditional Conditional
hi def link dltRepeat Repeat
hi def link dltExperiment Statement
hi def link dltBoolean Boolean
hi def link dltConstant Constant
hi def link dltOperatorWord Operator
hi def link dltOperator Operator
hi def link dltNumber Number
hi def link dltString String
hi def link dltEscape SpecialChar
hi def link dltComment Comment
hi def link dltShebang PreProc
hi def link dltNarrative SpecialComment
hi def link dltMath Special
hi def link dltCode Special
hi def link dltTodo Todo
hi def link dltExpect PreProc
hi def link dltFunction Function

let b:current_syntax = "dlt"
