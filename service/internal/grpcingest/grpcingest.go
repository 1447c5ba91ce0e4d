// Package grpcingest serves loadgate.ingest.v1.EventIngest, the gRPC twin
// of POST /api/v1/events with the same buffer and the same all-or-nothing
// semantics.
package grpcingest

// The generated code is committed so builds never need protoc; rerun this
// (protoc, protoc-gen-go, protoc-gen-go-grpc on PATH) after editing the proto.
//go:generate protoc -I ../../../proto --go_out=../gen --go_opt=module=loadgate/service/internal/gen --go-grpc_out=../gen --go-grpc_opt=module=loadgate/service/internal/gen loadgate/ingest/v1/ingest.proto

import (
	"context"
	"errors"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"loadgate/service/internal/fault"
	ingestv1 "loadgate/service/internal/gen/loadgate/ingest/v1"
	"loadgate/service/internal/ingest"
	"loadgate/service/internal/metrics"
	"loadgate/service/internal/route"
)

// Accepter is the part of *ingest.Ingestor the service needs.
type Accepter interface {
	Accept(events []ingest.Event) error
}

type service struct {
	ingestv1.UnimplementedEventIngestServer
	ingest Accepter
}

// NewServer returns a gRPC server with EventIngest and reflection
// registered. Every unary call records
// target_grpc_request_duration_seconds and is subject to the
// events_ingest fault rule.
func NewServer(acc Accepter, faults *fault.Injector, m *metrics.Metrics) *grpc.Server {
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(
		metricsInterceptor(m),
		faultInterceptor(faults),
	))
	ingestv1.RegisterEventIngestServer(srv, &service{ingest: acc})
	reflection.Register(srv)
	return srv
}

func (s *service) Ingest(_ context.Context, req *ingestv1.IngestRequest) (*ingestv1.IngestResponse, error) {
	events := make([]ingest.Event, len(req.GetEvents()))
	for i, e := range req.GetEvents() {
		events[i] = ingest.Event{EventID: e.GetEventId(), UserID: e.GetUserId(), GoalID: e.GetGoalId(), Delta: e.GetDelta()}
	}
	if err := ingest.Validate(events); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if err := s.ingest.Accept(events); err != nil {
		if errors.Is(err, ingest.ErrFull) || errors.Is(err, ingest.ErrClosed) {
			return nil, status.Error(codes.ResourceExhausted, err.Error())
		}
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &ingestv1.IngestResponse{Accepted: int64(len(events))}, nil
}

func metricsInterceptor(m *metrics.Metrics) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := h(ctx, req)
		elapsed := time.Since(start).Seconds()
		m.GRPCRequestDuration.WithLabelValues(info.FullMethod, status.Code(err).String()).Observe(elapsed)
		if info.FullMethod == ingestv1.EventIngest_Ingest_FullMethodName {
			m.EventIngestDuration.WithLabelValues("grpc").Observe(elapsed)
		}
		return resp, err
	}
}

// faultInterceptor applies the events_ingest rule to the ingest service
// only; reflection calls stay untouched. With header faults enabled the
// x-fault-delay / x-fault-error-rate metadata keys act like the HTTP
// headers.
func faultInterceptor(faults *fault.Injector) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if !strings.HasPrefix(info.FullMethod, "/"+ingestv1.EventIngest_ServiceDesc.ServiceName+"/") {
			return h(ctx, req)
		}
		md, _ := metadata.FromIncomingContext(ctx)
		get := func(key string) string {
			if v := md.Get(key); len(v) > 0 {
				return v[0]
			}
			return ""
		}
		rule, err := faults.Rule(route.EventsIngest, get)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		if err := faults.Apply(ctx, rule); err != nil {
			if errors.Is(err, fault.ErrInjected) {
				return nil, status.Error(codes.Internal, err.Error())
			}
			return nil, status.FromContextError(err).Err()
		}
		return h(ctx, req)
	}
}
