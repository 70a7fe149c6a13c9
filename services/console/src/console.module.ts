import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';
import { AnnotationPage } from './pages/annotation.page';
import { DatasetDiffPage } from './pages/dataset-diff.page';
import { DatasetsPage } from './pages/datasets.page';
import { ModelsPage } from './pages/models.page';
import { PagesController } from './pages/pages.controller';
import { QualityPage } from './pages/quality.page';
import { RetrainingPage } from './pages/retraining.page';
import { SamplingPage } from './pages/sampling.page';
import { SessionController } from './session/session.controller';
import { StageClients } from './stages/stage-clients';

/** The console: pages that read the stages' gRPC APIs as the signed-in user. */
@Module({
  controllers: [SessionController, AssetsController, PagesController],
  providers: [StageClients, ModelsPage, AnnotationPage, SamplingPage, QualityPage, DatasetsPage, RetrainingPage, DatasetDiffPage],
})
export class ConsoleModule {}
