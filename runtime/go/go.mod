module forstruntime

go 1.22
