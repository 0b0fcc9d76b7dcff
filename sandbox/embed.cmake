# cmake -DIN=file -DOUT=file.c -P embed.cmake : write IN as a C byte array.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n"
       bytes "${bytes}")
file(WRITE ${OUT} "/* generated from demo-seed.json */\n#include <stddef.h>\n"
     "extern const unsigned char sbx_demo_seed[];\nextern const size_t sbx_demo_seed_len;\n"
     "const unsigned char sbx_demo_seed[] = {\n${bytes}0x00};\n"
     "const size_t sbx_demo_seed_len = ${len};\n")
