enum _P{}
