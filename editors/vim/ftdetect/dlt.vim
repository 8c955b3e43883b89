" .dlt files are DLT scripts (and so is anything starting with #!/usr/bin/env dlt)
autocmd BufRead,BufNewFile *.dlt setfiletype dlt
autocmd BufRead,BufNewFile * if getline(1) =~# '^#!.*\<dlt\>' | setfiletype dlt | endif
