// Open MPI's C API for Swift. MPI's predefined handles are macros over addresses of library
// globals (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …), which Swift cannot import: each is wrapped in
// a static inline function here. Imported only by ShardNetMPI.
#ifndef SHARDNET_CMPI_SHIM_H
#define SHARDNET_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm shardnet_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype shardnet_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype shardnet_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype shardnet_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype shardnet_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype shardnet_mpi_char(void) { return MPI_CHAR; }
static inline MPI_Op shardnet_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op shardnet_mpi_max(void) { return MPI_MAX; }
static inline MPI_Errhandler shardnet_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *shardnet_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int shardnet_mpi_success(void) { return MPI_SUCCESS; }
static inline int shardnet_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int shardnet_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
