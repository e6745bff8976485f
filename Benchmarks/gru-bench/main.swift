// `gru` — inspect, project and differentiate GRUs stored in safetensors files.
print("gru: not built yet")
