module forstgocheck

go 1.22
