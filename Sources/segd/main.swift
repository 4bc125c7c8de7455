import Tensor
print(BLASRuntime.coreName)
